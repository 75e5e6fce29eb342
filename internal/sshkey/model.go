package sshkey

import (
	"cmp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// sshKeyModel is a stored SSH key: the flexmetal_ssh_key resource, the flexmetal_ssh_key data
// source and each element of flexmetal_ssh_keys.ssh_keys share it.
type sshKeyModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	PublicKey   types.String `tfsdk:"public_key"`
	Fingerprint types.String `tfsdk:"fingerprint"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

// fingerprintDescription describes the fingerprint attribute wherever a key has one.
const fingerprintDescription = "SHA256 fingerprint of the public key as `ssh-keygen -l` prints it, e.g. `SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s`; null if the stored key cannot be parsed."

// fingerprintValue is the fingerprint of a public key line, null when it is not a key.
func fingerprintValue(publicKey string) types.String {
	if fp, ok := shared.PublicKeyFingerprint(publicKey); ok {
		return types.StringValue(fp)
	}
	return types.StringNull()
}

func newSSHKeyModel(k *flexmetal.SSHKey) sshKeyModel {
	return sshKeyModel{
		ID:          types.StringValue(k.UUID),
		Name:        types.StringValue(k.Name),
		PublicKey:   types.StringValue(k.PublicKey),
		Fingerprint: fingerprintValue(k.PublicKey),
		CreatedAt:   shared.TimeValue(&k.CreatedAt),
	}
}

// applySSHKey copies what the API reports into a resource's model. The configured public key
// is kept when the API's copy is the same key without surrounding white space (the provider
// sends it trimmed, and file() leaves a trailing newline), so only a real change shows as drift.
func (m *sshKeyModel) applySSHKey(k *flexmetal.SSHKey) {
	configured := m.PublicKey
	*m = newSSHKeyModel(k)
	if !configured.IsNull() && !configured.IsUnknown() && strings.TrimSpace(configured.ValueString()) == k.PublicKey {
		m.PublicKey = configured
	}
}

// sshKeyModels maps stored keys for the list attribute, oldest first (ties by id) so the output
// is stable, and returns their ids.
func sshKeyModels(keys []*flexmetal.SSHKey) ([]sshKeyModel, []string) {
	return shared.SortedItems(keys, compareSSHKeys, func(k *flexmetal.SSHKey) string { return k.UUID }, newSSHKeyModel)
}

// compareSSHKeys orders keys oldest first, ties by id, so that lists do not depend on paging.
func compareSSHKeys(a, b *flexmetal.SSHKey) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.UUID, b.UUID))
}
