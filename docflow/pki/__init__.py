"""docflow's PKI: a national test PKI, and certificate path validation. Knows X.509, not XML.

* :mod:`docflow.pki.national` — :class:`~docflow.pki.national.NationalPki`, a root CA, a
  sub-CA per hub and an organ and a person certificate per agency, deterministic from a seed
  and issued lazily;
* :mod:`docflow.pki.validate` — :class:`~docflow.pki.validate.PathValidator`, path building and
  checking against a :class:`~docflow.pki.store.TrustStore` at a given time, CRLs included,
  under a :class:`~docflow.pki.policy.ValidationPolicy`;
* :mod:`docflow.pki.roles` — the ``signer``/``organ`` roles, docflow's policy OIDs and the role
  mapping for other CAs;
* :mod:`docflow.pki.export` — ``docflow pki init``: the PKI written as PEM files and an index.

Import from those modules; this package re-exports nothing, so that importing one part does not
load the others.
"""
