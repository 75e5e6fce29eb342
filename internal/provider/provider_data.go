package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

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
