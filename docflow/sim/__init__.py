"""The load simulator: scenario in, ``summary.json`` out.

:func:`docflow.simulate` (in :mod:`docflow.runs`, which writes the run folder) is the entry
point; :mod:`~docflow.sim.scenario` describes a run, :mod:`~docflow.sim.engine` runs it a day
at a time through the hub lanes (:mod:`~docflow.sim.lanes`, :mod:`~docflow.sim.lane_pass`,
:mod:`~docflow.sim.queues`), and :mod:`~docflow.sim.summary` reports it.
"""
