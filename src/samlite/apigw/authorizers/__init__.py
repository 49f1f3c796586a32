"""Authorizers of the local API Gateway, enforced as API Gateway enforces them.

`config` reads what an API declares (Lambda TOKEN / REQUEST, HTTP API Lambda, JWT, Cognito user
pool); `gate.AuthorizerGate` decides each protected request; `policy`, `cache`, `tokens`, `jwks`,
`claims` and `lambda_output` are the rules it applies, one each.
"""
