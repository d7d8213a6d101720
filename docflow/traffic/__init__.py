"""Traffic: who sends which documents to whom, and when, drawn with numpy from a seed.

:mod:`~docflow.traffic.spec` is the configuration, :mod:`~docflow.traffic.calendar` the working
days and hours, :mod:`~docflow.traffic.destinations` the candidate recipients and
:mod:`~docflow.traffic.generate` draws a day of documents and deliveries.
"""
