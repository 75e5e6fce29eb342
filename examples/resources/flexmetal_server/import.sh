# Import a server by its UUID, as shown in the i3D.net console or by the flexmetal_servers data source.
terraform import flexmetal_server.web 019257a3-d7c4-7f5e-9b1a-84c78b711f6e
