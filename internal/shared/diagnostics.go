package shared

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// APIErrorDetail explains an API failure for a diagnostic: the API's own message and codes, and
// what the user can do about the common classes of failure.
func APIErrorDetail(err error) string {
	var apiErr *flexmetal.APIError
	if !errors.As(err, &apiErr) {
		switch {
		case errors.Is(err, context.Canceled):
			return err.Error() + "\n\nThe operation was interrupted before the API answered."
		case errors.Is(err, context.DeadlineExceeded):
			return err.Error() + "\n\nThe operation's timeout ran out before the API answered."
		case flexmetal.IsUnreachable(err):
			return err.Error() + "\n\nThe FlexMetal API could not be reached. Correct base_url (or " + EnvBaseURL + ") or the network as the error says, then run the command again."
		}
		return err.Error()
	}
	hint := ""
	switch {
	case flexmetal.IsUnauthorized(err):
		hint = "The API refused the credentials. Check api_key (or " + EnvAPIKey + ") and that this machine's IP address is whitelisted for the key."
	case flexmetal.IsValidation(err) && len(apiErr.Details) > 0:
		hint = "The API rejected the request's content; correct the attributes named above."
	case flexmetal.IsValidation(err):
		// Without properties the refusal is about the object's state (a server still being
		// delivered, already released): no attribute of the configuration is wrong.
		hint = "The API refused the request as things stand, without naming an attribute: its message above says why."
	case flexmetal.IsRateLimited(err):
		hint = "The API kept rate limiting after several retries. Wait a minute, or lower -parallelism, and run the command again."
	case apiErr.StatusCode >= 500:
		hint = "The API failed after several retries. Run the command again later."
	case apiErr.StatusCode >= 300 && apiErr.StatusCode < 400:
		hint = "The API answered with a redirect, which the provider does not follow (a redirected order could be misread). Set base_url (or " + EnvBaseURL + ") to the address it redirects to."
	}
	if hint == "" {
		return "API response: " + err.Error()
	}
	return "API response: " + err.Error() + "\n\n" + hint
}

// AddAPIError adds an API failure to diags. Where the API names the request properties it
// rejected (sshKey[0], os.slug, instanceType, ...) and they correspond to attributes of the
// resource's schema, each becomes an error on that attribute (ssh_keys[0], os.slug,
// instance_type), so Terraform points at the user's own configuration line.
func AddAPIError(ctx context.Context, diags *diag.Diagnostics, s TypedSchema, summary, what string, err error) {
	var apiErr *flexmetal.APIError
	if errors.As(err, &apiErr) && flexmetal.IsValidation(err) {
		added := false
		for _, d := range apiErr.Details {
			p, ok := AttributePathForProperty(ctx, s, d.Property)
			if !ok {
				continue
			}
			diags.AddAttributeError(ConfigLinePath(p), summary, fmt.Sprintf("%s\n\nThe API rejected %s (%s): %s", what, d.Property, p, d.Message))
			added = true
		}
		if added {
			return
		}
	}
	diags.AddError(summary, what+"\n\n"+APIErrorDetail(err))
}

// TypedSchema is what AddAPIError needs of a schema: the resource package's Schema and the
// schema a request's plan or state carries both have it.
type TypedSchema interface {
	TypeAtPath(context.Context, path.Path) (attr.Type, diag.Diagnostics)
}

// apiPropertyRenames maps the API's request property names to attribute names where the
// camelCase-to-snake_case rule does not give the attribute.
var apiPropertyRenames = map[string]string{"sshKey": "ssh_keys"}

var propertyStep = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$`)

// AttributePathForProperty turns an API property such as "os.partitions[0].size" into the
// attribute path os.partitions[0].size. It stops before the first step that the schema does not
// have (a set cannot be indexed, say), and ok is false when not even the first step exists.
func AttributePathForProperty(ctx context.Context, s TypedSchema, property string) (path.Path, bool) {
	var p path.Path
	for i, segment := range strings.Split(property, ".") {
		m := propertyStep.FindStringSubmatch(segment)
		if m == nil {
			return p, i > 0
		}
		name, ok := apiPropertyRenames[m[1]]
		if !ok {
			name = snakeCase(m[1])
		}
		next := path.Root(name)
		if i > 0 {
			next = p.AtName(name)
		}
		if _, d := s.TypeAtPath(ctx, next); d.HasError() {
			return p, i > 0
		}
		p = next
		for _, index := range strings.FieldsFunc(m[2], func(r rune) bool { return r == '[' || r == ']' }) {
			n, _ := strconv.ParseInt(index, 10, 64)
			if _, d := s.TypeAtPath(ctx, p.AtListIndex(int(n))); d.HasError() {
				return p, true
			}
			p = p.AtListIndex(int(n))
		}
	}
	return p, true
}

// snakeCase turns the API's camelCase names into attribute names: instanceType → instance_type.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ConfigLinePath is the part of p that Terraform can point at in the configuration. Terraform
// (1.5 to 1.11 at least) shows a diagnostic on a nested attribute such as os.slug at the resource's
// first line, since it does not look inside an object value; on the enclosing attribute (os) it
// shows that attribute's line. So p is cut before its second attribute name; list indexes of
// a top-level attribute (ssh_keys[1]) are kept. Messages name the full path.
func ConfigLinePath(p path.Path) path.Path {
	for {
		names := 0
		for _, step := range p.Steps() {
			if _, ok := step.(path.PathStepAttributeName); ok {
				names++
			}
		}
		if names <= 1 {
			return p
		}
		p = p.ParentPath()
	}
}
