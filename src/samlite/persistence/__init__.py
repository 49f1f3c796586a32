"""Saved state: what `samlite start --persist` keeps across restarts, and the administrator's key.

`persister.Persister` drives it for the local cloud; `state_folder` is the on-disk format (atomic,
checked); one module per service (`s3`, `dynamodb`, `sqs`, ...) captures and restores that service's
resources as its APIs show them; `reconcile` decides, before provisioning, what becomes of each saved
resource under the template being started; `credentials` keeps the administrator's access key.
"""
