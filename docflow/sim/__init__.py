"""The load simulator: scenario in, ``summary.json`` out.

:func:`docflow.sim.run.simulate` (exported as :func:`docflow.simulate`) is the entry point;
:mod:`~docflow.sim.scenario` describes a run, :mod:`~docflow.sim.engine` runs it a day at a time
through the hub lanes (:mod:`~docflow.sim.lanes`, :mod:`~docflow.sim.lane_pass`,
:mod:`~docflow.sim.queues`), and :mod:`~docflow.sim.summary` reports it.
"""
