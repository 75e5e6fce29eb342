package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// identityIDPath is the one attribute of every identity this provider defines: the object's
// UUID, which the API addresses it by and which never changes while the object exists.
var identityIDPath = path.Root("id")

// uuidIdentitySchema is the identity of flexmetal_server and flexmetal_ssh_key: { id }. An
// import block may give it instead of an id string (Terraform 1.12 and later), and list
// resources (Terraform 1.14) return it for every object they find.
func uuidIdentitySchema(what string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "The " + what + "'s UUID.",
				RequiredForImport: true,
			},
		},
	}
}

// setIdentity records id as the identity of a resource in a create, read, update or import
// response, or of a list result. A nil identity (a Terraform too old for identities) is left
// alone.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.SetAttribute(ctx, identityIDPath, id)
}

// importID is the UUID an import asks for: the id string of `terraform import` or of an import
// block's id, else the id of an import block's identity.
func importID(ctx context.Context, req resource.ImportStateRequest) (string, diag.Diagnostics) {
	if req.ID != "" || req.Identity == nil {
		return req.ID, nil
	}
	var id types.String
	diags := req.Identity.GetAttribute(ctx, identityIDPath, &id)
	return id.ValueString(), diags
}

var (
	_ resource.ResourceWithIdentity = (*serverResource)(nil)
	_ resource.ResourceWithIdentity = (*sshKeyResource)(nil)
)

func (r *serverResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = uuidIdentitySchema("server")
}

func (r *sshKeyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = uuidIdentitySchema("SSH key")
}
