package shared

import (
	"context"
	"fmt"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

var ObjectAsOptions = basetypes.ObjectAsOptions{}

// ProviderDataFrom turns the value Configure handed over into ProviderData. A nil value means
// the provider is not configured yet (validation, or an unknown provider configuration).
func ProviderDataFrom(raw any, diags *diag.Diagnostics) *ProviderData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*ProviderData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *ProviderData, got %T. This is a bug in the provider: please report it.", raw))
		return nil
	}
	return data
}

// RequireProviderData reports whether Configure handed over provider data, adding an error
// naming typeName when it did not. Configure leaves the data nil while the provider is not
// configured yet, which is normal during validation but not when a read or apply needs the API.
func RequireProviderData(data *ProviderData, typeName string, diags *diag.Diagnostics) bool {
	if data != nil {
		return true
	}
	diags.AddError("Unconfigured Provider",
		fmt.Sprintf("%s needs the FlexMetal API, but the provider is not configured. Check that the flexmetal provider block (api_key, base_url) does not depend on values known only after apply, then run the command again.", typeName))
	return false
}

// decode starts a handler that needs the API: it checks that the provider is configured, then
// reads the request's plan, state or config (get) into a new T. ok is false when either failed.
func Decode[T any](ctx context.Context, data *ProviderData, typeName string, get func(context.Context, any) diag.Diagnostics, diags *diag.Diagnostics) (model T, ok bool) {
	if !RequireProviderData(data, typeName, diags) {
		return model, false
	}
	diags.Append(get(ctx, &model)...)
	return model, !diags.HasError()
}

// TypeName prefixes every resource and data source type.
const TypeName = "flexmetal"

// Environment variables read when the provider block leaves an attribute unset.
const (
	EnvAPIKey  = "FLEXMETAL_API_KEY"
	EnvBaseURL = "FLEXMETAL_BASE_URL"
)

// ProviderData is handed to every resource and data source by Configure.
type ProviderData struct {
	// Client is the configured API client.
	Client *flexmetal.Client
	// Catalog is the per-endpoint catalog cache, shared by every Configure of the process.
	Catalog *Catalog
	// quota tallies the servers this plan orders, for the over-quota warning. Terraform
	// configures the provider once per command, so it covers one plan.
	Quota *QuotaPlanner
	// Orders finds servers an earlier, killed run ordered and never recorded.
	Orders *UnrecordedOrders
	// Reports records what this run has reported, so a cause that every resource instance meets
	// is reported once; like Quota, it covers one command.
	Reports *RunReports
	// Availability tallies the servers this plan orders per location and instance type, for the
	// capacity warnings; like Quota, it covers one plan.
	Availability *AvailabilityPlanner
	// Tags are the provider's default_tags and ignore_tag_prefixes.
	Tags TagConventions
}
