"""Running audits and sweeps on more than one process or machine.

:mod:`docflow.dist.executor` is the one interface (an in-process runner, the local process pool,
a Dask cluster); :mod:`docflow.dist.sweep` runs a scenario over seeds and varied assumptions on
it. The audit (:mod:`docflow.audit.engine`) takes an executor too. This package's ``__init__``
imports nothing, so that the audit can use the executor without loading the sweep.
"""
