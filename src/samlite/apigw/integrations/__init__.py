"""Integrations other than Lambda proxy: REST MOCK and AWS (service, non-proxy Lambda), and HTTP
API service integrations, with the mapping templates, parameters and responses API Gateway applies."""
