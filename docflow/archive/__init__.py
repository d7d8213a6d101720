"""The archive: an SQLite store of envelopes, their metadata, status events and verifications.

:class:`Archive` is the store; :func:`import_source` fills it from a folder, a zip or a tar
(:func:`import_into` opens the file too);
the simulator writes to it with :meth:`Archive.add_many` and the audit reads from it.
:class:`MessageKind` is the envelope's own (:mod:`docflow.envelope.rules`), re-exported here
because it is how the archive files and counts messages.
"""

from docflow.archive.importer import ImportConfig, ImportResult, import_into, import_source
from docflow.archive.metadata import EnvelopeMeta, StatusInfo, read_metadata
from docflow.archive.sources import SourceLimits
from docflow.archive.store import Archive, NewEnvelope, Reject, StoredResult, WriteCounts
from docflow.envelope.rules import MessageKind

__all__ = ["Archive", "EnvelopeMeta", "ImportConfig", "ImportResult", "MessageKind",
           "NewEnvelope", "Reject", "SourceLimits", "StatusInfo", "StoredResult", "WriteCounts",
           "import_into", "import_source", "read_metadata"]
