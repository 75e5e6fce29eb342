package provider

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// sshKeyModel is a stored SSH key: the flexmetal_ssh_key resource, the flexmetal_ssh_key data
// source and each element of flexmetal_ssh_keys.ssh_keys share it.
type sshKeyModel struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	PublicKey types.String `tfsdk:"public_key"`
	CreatedAt types.String `tfsdk:"created_at"`
}

var sshKeyAttrTypes = map[string]attr.Type{
	"id":         types.StringType,
	"name":       types.StringType,
	"public_key": types.StringType,
	"created_at": types.StringType,
}

func newSSHKeyModel(k *flexmetal.SSHKey) sshKeyModel {
	return sshKeyModel{
		ID:        types.StringValue(k.UUID),
		Name:      types.StringValue(k.Name),
		PublicKey: types.StringValue(k.PublicKey),
		CreatedAt: timeValue(&k.CreatedAt),
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

// sshKeysValue maps stored keys to the list attribute, oldest first (ties by id) so the output
// is stable. It also returns the ids the data source's id is built from.
func sshKeysValue(ctx context.Context, keys []*flexmetal.SSHKey) (types.List, []string, diag.Diagnostics) {
	sorted := slices.SortedFunc(slices.Values(keys), func(a, b *flexmetal.SSHKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.UUID, b.UUID))
	})
	models := make([]sshKeyModel, len(sorted))
	ids := make([]string, len(sorted))
	for i, k := range sorted {
		models[i] = newSSHKeyModel(k)
		ids[i] = k.UUID
	}
	list, diags := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: sshKeyAttrTypes}, models)
	return list, ids, diags
}
