package sshkey

import (
	"context"
	"slices"
	"testing"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestListResultsLimit: a query's limit is honored, and each result has identity and display name.
func TestListResultsLimit(t *testing.T) {
	ctx := context.Background()
	var r sshKeyResource
	var idResp fwresource.IdentitySchemaResponse
	r.IdentitySchema(ctx, fwresource.IdentitySchemaRequest{}, &idResp)
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	req := list.ListRequest{Limit: 2, IncludeResource: true, ResourceSchema: schemaResp.Schema, ResourceIdentitySchema: idResp.IdentitySchema}
	keys := []*flexmetal.SSHKey{
		{UUID: "a", Name: "one", PublicKey: simulator.ExamplePublicKeyEd25519},
		{UUID: "b", Name: "two", PublicKey: simulator.ExamplePublicKeyEd25519},
		{UUID: "c", Name: "three", PublicKey: simulator.ExamplePublicKeyEd25519},
	}
	var got []string
	for result := range shared.QueryResults(ctx, req, keys, func(k *flexmetal.SSHKey) string { return k.UUID }, sshKeyDisplayName, setImportedSSHKey) {
		if d := result.Diagnostics; d.HasError() {
			t.Fatal(d)
		}
		var id, name types.String
		if d := result.Identity.GetAttribute(ctx, shared.IdentityIDPath, &id); d.HasError() {
			t.Fatal(d)
		}
		if d := result.Resource.GetAttribute(ctx, path.Root("name"), &name); d.HasError() {
			t.Fatal(d)
		}
		got = append(got, id.ValueString()+" "+name.ValueString()+" "+result.DisplayName)
	}
	if want := []string{"a one one (ssh-ed25519)", "b two two (ssh-ed25519)"}; !slices.Equal(got, want) {
		t.Errorf("results %q, want %q", got, want)
	}
}
