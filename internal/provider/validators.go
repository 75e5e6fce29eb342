package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// baseURLValidator refuses endpoints that are not absolute http(s) URLs, and plain http to
// anything but loopback.
type baseURLValidator struct{}

var _ validator.String = baseURLValidator{}

func (baseURLValidator) Description(context.Context) string {
	return "must be an https URL, or http on a loopback host"
}

func (v baseURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (baseURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := checkBaseURL(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid FlexMetal Base URL",
			fmt.Sprintf("%q is not usable: %s.", req.ConfigValue.ValueString(), msg))
	}
}

// durationValidator checks a Go duration string within bounds.
type durationValidator struct {
	min, max time.Duration
}

var _ validator.String = durationValidator{}

func (v durationValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a duration such as \"10s\" or \"1m\", between %s and %s", v.min, v.max)
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(raw)
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is not a duration. Use a number with a unit, such as \"10s\", \"500ms\" or \"2m\".", raw))
		return
	}
	if d < v.min || d > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration Out of Range",
			fmt.Sprintf("%q is outside the allowed range: use a duration between %s and %s.", raw, v.min, v.max))
	}
}

// notPrivateKeyValidator refuses private key material where a public key belongs: pasting
// the wrong file would otherwise send a secret to the API and into the state.
type notPrivateKeyValidator struct{}

var _ validator.String = notPrivateKeyValidator{}

func (notPrivateKeyValidator) Description(context.Context) string {
	return "must be a public key, never a private key"
}

func (v notPrivateKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (notPrivateKeyValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if strings.Contains(req.ConfigValue.ValueString(), "PRIVATE KEY") {
		resp.Diagnostics.AddAttributeError(req.Path, "Private Key Given Instead of Public Key",
			"The value contains \"PRIVATE KEY\": it is a private key, which must never leave your machine. Use the public key instead (the .pub file, e.g. file(\"~/.ssh/id_ed25519.pub\")).")
	}
}
