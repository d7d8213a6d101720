"""Statistics shared by the simulator and the audit, so both count coverage the same way."""
