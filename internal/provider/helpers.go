package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

var objectAsOptions = basetypes.ObjectAsOptions{}

// providerDataFrom turns the value Configure handed over into providerData. A nil value means
// the provider is not configured yet (validation, or an unknown provider configuration).
func providerDataFrom(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider: please report it.", raw))
		return nil
	}
	return data
}

// requireProviderData reports whether Configure handed over provider data, adding an error
// naming typeName when it did not. Configure leaves the data nil while the provider is not
// configured yet, which is normal during validation but not when a read or apply needs the API.
func requireProviderData(data *providerData, typeName string, diags *diag.Diagnostics) bool {
	if data != nil {
		return true
	}
	diags.AddError("Unconfigured Provider",
		fmt.Sprintf("%s needs the FlexMetal API, but the provider is not configured. Check that the flexmetal provider block (api_key, base_url) does not depend on values known only after apply, then run the command again.", typeName))
	return false
}

// decode starts a handler that needs the API: it checks that the provider is configured, then
// reads the request's plan, state or config (get) into a new T. ok is false when either failed.
func decode[T any](ctx context.Context, data *providerData, typeName string, get func(context.Context, any) diag.Diagnostics, diags *diag.Diagnostics) (model T, ok bool) {
	if !requireProviderData(data, typeName, diags) {
		return model, false
	}
	diags.Append(get(ctx, &model)...)
	return model, !diags.HasError()
}
