"""The embedded local stack: moto provisioned from template.yaml, real handlers, HTTP front."""
