"""Attacks from the XML signature literature against docflow's verifier and its edXML profile."""
