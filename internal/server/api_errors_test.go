package server

import (
	"context"
	"strings"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

func TestAttributePathForProperty(t *testing.T) {
	ctx := context.Background()
	s := serverResourceSchema(ctx)
	cases := []struct {
		property string
		want     path.Path
		ok       bool
	}{
		{"sshKey[0]", path.Root("ssh_keys").AtListIndex(0), true},
		{"sshKey", path.Root("ssh_keys"), true},
		{"os.slug", path.Root("os").AtName("slug"), true},
		{"instanceType", path.Root("instance_type"), true},
		{"postInstallScript", path.Root("post_install_script"), true},
		{"contractId", path.Root("contract_id"), true},
		{"os.partitions[1].size", path.Root("os").AtName("partitions").AtListIndex(1).AtName("size"), true},
		{"os.kernelParams[0].key", path.Root("os").AtName("kernel_params").AtListIndex(0).AtName("key"), true},
		{"os.ipxeScriptUrl", path.Root("os").AtName("ipxe_script_url"), true},
		// A set has no indexes: the error goes on the whole attribute.
		{"tags[3]", path.Root("tags"), true},
		// Unknown nested names stop at the last known step.
		{"os.unknownThing", path.Root("os"), true},
		{"somethingElse", path.Empty(), false},
		{"", path.Empty(), false},
	}
	for _, c := range cases {
		t.Run(c.property, func(t *testing.T) {
			got, ok := shared.AttributePathForProperty(ctx, s, c.property)
			if ok != c.ok || (ok && !got.Equal(c.want)) {
				t.Errorf("AttributePathForProperty(%q) = %s, %v; want %s, %v", c.property, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestAddAPIError_fieldErrorsPointAtAttributes(t *testing.T) {
	ctx := context.Background()
	s := serverResourceSchema(ctx)
	err := &flexmetal.APIError{StatusCode: 422, Message: "Validation failed", Details: []flexmetal.ErrorDetail{
		{Property: "sshKey[1]", Message: "invalid public key"},
		{Property: "os.slug", Message: "unknown operating system"},
	}}
	var diags diag.Diagnostics
	shared.AddAPIError(ctx, &diags, s, "Unable to Create Server", "Ordering server \"web\" failed.", err)
	if len(diags) != 2 {
		t.Fatalf("got %d diagnostics, want 2: %v", len(diags), diags)
	}
	// Terraform cannot point inside os = {...}, so os.slug's error goes on os (and names os.slug).
	wantPaths := []path.Path{path.Root("ssh_keys").AtListIndex(1), path.Root("os")}
	for i, d := range diags {
		withPath, ok := d.(diag.DiagnosticWithPath)
		if !ok || !withPath.Path().Equal(wantPaths[i]) {
			t.Errorf("diagnostic %d = %v, want one on %s", i, d, wantPaths[i])
		}
		if !strings.Contains(d.Detail(), "Ordering server") {
			t.Errorf("detail %q lost what happened", d.Detail())
		}
	}
	if !strings.Contains(diags[1].Detail(), "os.slug (os.slug): unknown operating system") {
		t.Errorf("detail %q does not name the nested attribute", diags[1].Detail())
	}

	// Without properties the schema knows, one resource-level error keeps the API's message.
	diags = nil
	shared.AddAPIError(ctx, &diags, s, "Unable to Create Server", "Ordering failed.", &flexmetal.APIError{StatusCode: 422, Message: "Out of stock", Details: []flexmetal.ErrorDetail{{Property: "stock", Message: "none left"}}})
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "none left") {
		t.Errorf("diags = %v, want one error quoting the API", diags)
	}
	if _, ok := diags[0].(diag.DiagnosticWithPath); ok {
		t.Errorf("diagnostic has a path; want a resource-level error")
	}
}
