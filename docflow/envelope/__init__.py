"""The edXML envelope of QCVN 102:2016/BTTTT: model, builder, parser, schema and rules.

This package knows edXML, not signatures: a legacy ``Signature`` element in the QCVN namespace is
recognised and reported, never verified here.
"""
