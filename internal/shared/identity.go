package shared

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// IdentityIDPath is the one attribute of every identity this provider defines: the object's
// UUID, which the API addresses it by and which never changes while the object exists.
var IdentityIDPath = path.Root("id")

// UUIDIdentitySchema is the identity of flexmetal_server and flexmetal_ssh_key: { id }. An
// import block may give it instead of an id string (Terraform 1.12 and later), and list
// resources (Terraform 1.14) return it for every object they find.
func UUIDIdentitySchema(what string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "The " + what + "'s UUID.",
				RequiredForImport: true,
			},
		},
	}
}

// SetIdentity records id as the identity of a resource in a create, read, update or import
// response, or of a list result. A nil identity (a Terraform too old for identities) is left
// alone.
func SetIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.SetAttribute(ctx, IdentityIDPath, id)
}

// ImportID is the UUID an import asks for: the id string of `terraform import` or of an import
// block's id, else the id of an import block's identity.
func ImportID(ctx context.Context, req resource.ImportStateRequest) (string, diag.Diagnostics) {
	if req.ID != "" || req.Identity == nil {
		return req.ID, nil
	}
	var id types.String
	diags := req.Identity.GetAttribute(ctx, IdentityIDPath, &id)
	return id.ValueString(), diags
}
