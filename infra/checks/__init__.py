"""Offline checks of what we deploy, run by ``make test``: judges that are not moto.

- ``asl``: every state machine of template.yaml, its substitutions filled for the global and the
  China partition, judged by an independent Amazon States Language validator (asl-validator, npm).
- ``transform``: the SAM transform run offline, for cfn-lint per region and checkov.
- ``policies``, ``conditions``: what the template grants, and its conditions evaluated per partition.
"""
