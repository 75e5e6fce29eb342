# Import a stored SSH key by its UUID (see the flexmetal_ssh_keys data source).
terraform import flexmetal_ssh_key.deploy 5f0c8d2e-3b7a-4c1e-9d6f-2a8b4e7c1d90
