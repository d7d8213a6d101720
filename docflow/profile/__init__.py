"""Signature profiles: how docflow signs and verifies the documents it knows.

:mod:`docflow.profile.edxml` is the edXML profile (the signer's signature over the
attachments, then the organ's over the whole message, both in ``edXMLHeader``); any other XML
gets plain enveloped XML-DSig.
"""
