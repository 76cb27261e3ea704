"""Checks of the deployable artefacts that no test of the code makes: run by ``make test``.

``asl``: every state machine of template.yaml, its substitutions filled for the global and the
China partition, judged by an independent Amazon States Language validator (asl-validator, npm).
"""
