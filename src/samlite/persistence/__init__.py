"""Saved state: what `samlite start --persist` keeps across restarts, and the administrator's key.

`persister.Persister` drives it for the local cloud; `state_folder` is the on-disk format (atomic,
checked); one module per service (`s3`, `dynamodb`, `sqs`, ...) captures and restores that service's
resources as its APIs show them; `reconcile` decides, before provisioning, what becomes of each saved
resource under the template being started; `async_events` and `mapping_positions` keep what the
deliveries hold (async invocations not done yet, each stream mapping's checkpoint); `credentials`
keeps the administrator's access key.
"""
