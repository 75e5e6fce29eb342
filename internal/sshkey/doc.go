// Package sshkey is the flexmetal_ssh_key family: the resource, the flexmetal_ssh_key and
// flexmetal_ssh_keys data sources and the flexmetal_ssh_key list resource.
package sshkey
