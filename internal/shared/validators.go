package shared

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"golang.org/x/crypto/ssh"
)

// stringCheck is a string validator made of a description and a check. The check returns the
// summary and detail of the error for a bad value, or an empty summary for a good one; null and
// unknown values are not checked.
type stringCheck struct {
	description string
	check       func(p path.Path, value string) (summary, detail string)
}

var _ validator.String = stringCheck{}

func (c stringCheck) Description(context.Context) string { return c.description }

func (c stringCheck) MarkdownDescription(context.Context) string { return c.description }

func (c stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if summary, detail := c.check(req.Path, req.ConfigValue.ValueString()); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
}

// BaseURLValidator refuses endpoints that are not absolute http(s) URLs, and plain http to
// anything but loopback.
func BaseURLValidator() validator.String {
	return stringCheck{
		description: "must be an https URL, or http on a loopback host",
		check: func(_ path.Path, raw string) (string, string) {
			if msg := CheckBaseURL(raw); msg != "" {
				return "Invalid FlexMetal Base URL", fmt.Sprintf("%q is not usable: %s.", raw, msg)
			}
			return "", ""
		},
	}
}

// DurationValidator checks a Go duration string within bounds.
func DurationValidator(minimum, maximum time.Duration) validator.String {
	return stringCheck{
		description: fmt.Sprintf("must be a duration such as \"10s\" or \"1m\", between %s and %s", minimum, maximum),
		check: func(_ path.Path, raw string) (string, string) {
			d, err := time.ParseDuration(raw)
			switch {
			case err != nil:
				return "Invalid Duration", fmt.Sprintf("%q is not a duration. Use a number with a unit, such as \"10s\", \"500ms\" or \"2m\".", raw)
			case d < minimum || d > maximum:
				return "Duration Out of Range", fmt.Sprintf("%q is outside the allowed range: use a duration between %s and %s.", raw, minimum, maximum)
			}
			return "", ""
		},
	}
}

// NotPrivateKeyValidator refuses private key material where a public key belongs: pasting the
// wrong file would otherwise send a secret to the API and into the state.
func NotPrivateKeyValidator() validator.String {
	return stringCheck{
		description: "must be a public key, never a private key",
		check: func(_ path.Path, value string) (string, string) {
			if strings.Contains(value, "PRIVATE KEY") {
				return "Private Key Given Instead of Public Key",
					"The value contains \"PRIVATE KEY\": it is a private key, which must never leave your machine. Use the public key instead (the .pub file, e.g. file(\"~/.ssh/id_ed25519.pub\"))."
			}
			return "", ""
		},
	}
}

// publicKeyLinePattern is the shape of one OpenSSH public key line: a type word, base64 key data,
// an optional comment. The key data itself is checked by parsing it (ParsePublicKey).
var publicKeyLinePattern = regexp.MustCompile(`^\S+ [A-Za-z0-9+/]+={0,3}( .*)?$`)

// knownKeyTypes are the OpenSSH key types golang.org/x/crypto/ssh parses: keys, security keys
// and certificates. DSA keys are deprecated there, but still parsed, and were accepted before:
// the API judges them.
var knownKeyTypes = []string{
	ssh.KeyAlgoED25519, ssh.KeyAlgoRSA, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
	ssh.KeyAlgoSKED25519, ssh.KeyAlgoSKECDSA256, "ssh-dss",
	ssh.CertAlgoED25519v01, ssh.CertAlgoRSAv01, ssh.CertAlgoECDSA256v01, ssh.CertAlgoECDSA384v01,
	ssh.CertAlgoECDSA521v01, ssh.CertAlgoSKED25519v01, ssh.CertAlgoSKECDSA256v01, "ssh-dss-cert-v01@openssh.com",
}

// ParsePublicKeyLine parses one OpenSSH public key line (surrounding white space ignored): the
// key type, a space, the base64 key data, an optional comment. Unlike ssh.ParseAuthorizedKey it
// takes no authorized_keys options and requires the key data to be of the type the line names.
func ParsePublicKeyLine(raw string) (ssh.PublicKey, bool) {
	value := strings.TrimSpace(raw)
	if !publicKeyLinePattern.MatchString(value) || strings.ContainsAny(value, "\r\n") {
		return nil, false
	}
	fields := strings.Fields(value)
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil {
		return nil, false
	}
	key, err := ssh.ParsePublicKey(blob)
	if err != nil || key.Type() != fields[0] {
		return nil, false
	}
	return key, true
}

// PublicKeyFingerprint is the SHA256 fingerprint of an OpenSSH public key line as ssh-keygen -l
// prints it ("SHA256:…"); ok is false when the line is not a key.
func PublicKeyFingerprint(raw string) (fingerprint string, ok bool) {
	key, ok := ParsePublicKeyLine(raw)
	if !ok {
		return "", false
	}
	return ssh.FingerprintSHA256(key), true
}

// OpenSSHPublicKeyValidator requires a value that looks like one OpenSSH public key, ignoring
// surrounding white space, so a wrong file or a mangled paste fails at plan time.
func OpenSSHPublicKeyValidator() validator.String {
	return stringCheck{description: "must be one OpenSSH public key line, such as \"ssh-ed25519 AAAA... user@host\"", check: checkPublicKey}
}

// SSHKeyOrIDValidator requires what a server's ssh_keys element may be: the UUID of a stored
// key, or one OpenSSH public key checked as flexmetal_ssh_key checks it.
func SSHKeyOrIDValidator() validator.String {
	return stringCheck{
		description: "must be the UUID of a stored key or one OpenSSH public key line",
		check: func(p path.Path, raw string) (string, string) {
			if UUIDPattern.MatchString(strings.TrimSpace(raw)) {
				return "", ""
			}
			return checkPublicKey(p, raw)
		},
	}
}

// UUIDPattern matches the API's ids (servers, stored SSH keys).
var UUIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func checkPublicKey(p path.Path, raw string) (string, string) {
	value := strings.TrimSpace(raw)
	if strings.Contains(value, "PRIVATE KEY") {
		// Private keys get NotPrivateKeyValidator's more pointed message.
		return "", ""
	}
	if _, ok := ParsePublicKeyLine(value); ok {
		return "", ""
	}
	return "Invalid SSH Public Key",
		fmt.Sprintf("The %s %s. It must be one OpenSSH public key line: a key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521 or sk-*@openssh.com), a space, the base64 key data and an optional comment. Use the contents of your .pub file, e.g. file(\"~/.ssh/id_ed25519.pub\").",
			p, publicKeyProblem(value))
}

// publicKeyProblem says what is wrong with a value that is not an OpenSSH public key, without
// repeating more of it than its first word.
func publicKeyProblem(value string) string {
	fields := strings.Fields(value)
	switch {
	case value == "":
		return "is empty"
	case strings.HasPrefix(value, "----"):
		return "is in PEM or RFC 4716 format, not OpenSSH format; convert it with ssh-keygen -i -f KEYFILE, or use the .pub file ssh-keygen wrote"
	case strings.ContainsAny(value, "\r\n"):
		return "spans several lines; give exactly one key (one flexmetal_ssh_key per key)"
	case !slices.Contains(knownKeyTypes, fields[0]):
		word := fields[0]
		if len(word) > 24 {
			word = word[:24] + "…"
		}
		return fmt.Sprintf("starts with %q, which is not an OpenSSH key type", word)
	case len(fields) < 2:
		return "has a key type but no key data"
	case !publicKeyLinePattern.MatchString(value):
		return "has key data that is not base64, or is separated from the type by more than one space"
	default:
		return fmt.Sprintf("has key data that is truncated or corrupt: it does not decode to a complete %s key", fields[0])
	}
}

// TagPattern is what the API accepts as a tag.
var TagPattern = regexp.MustCompile(`^[A-Za-z0-9_:-]{1,64}$`)

// TagValidator requires a tag the API accepts, with one error per bad tag that says what is
// wrong with it.
func TagValidator() validator.String {
	const rule = "must be 1 to 64 characters from A-Z, a-z, 0-9, '_', ':' and '-', e.g. \"env:prod\""
	return stringCheck{
		description: rule,
		check: func(_ path.Path, tag string) (string, string) {
			if TagPattern.MatchString(tag) {
				return "", ""
			}
			problem := ""
			switch {
			case tag == "":
				problem = " It is empty."
			case len(tag) > 64:
				problem = fmt.Sprintf(" It is %d characters long.", len(tag))
			case strings.ContainsFunc(tag, unicode.IsSpace):
				problem = " It contains white space."
			}
			return "Invalid Tag", fmt.Sprintf("Tag %q %s.%s", tag, rule, problem)
		},
	}
}

// ReservedTagValidator refuses tags with the prefix of one of the provider's own marks (the
// creation and reinstall tags): the provider hides such tags, so Terraform would see a configured
// tag vanish on every apply.
func ReservedTagValidator() validator.String {
	return stringCheck{
		description: "must not start with \"" + CreationTagPrefix + "\" or \"" + ReinstallTagPrefix + "\", which the provider reserves",
		check: func(_ path.Path, tag string) (string, string) {
			for _, prefix := range []string{CreationTagPrefix, ReinstallTagPrefix} {
				if strings.HasPrefix(tag, prefix) {
					return "Reserved Tag Prefix", fmt.Sprintf("Tag %q starts with %q, which the provider reserves for the tags that let it find a server whose order or reinstall outlived the run that sent it. Choose another prefix, e.g. %q.",
						tag, prefix, "tf:"+strings.TrimPrefix(tag, prefix))
				}
			}
			return "", ""
		},
	}
}

// CheckBaseURL returns why a base URL is unusable, or "" when it is fine. Plain http is only
// for loopback: an API key must never cross a network unencrypted.
func CheckBaseURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "use an absolute URL such as https://api.i3d.net"
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "remove the query string or fragment"
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "plain http is refused for non-loopback hosts because the API key would be sent unencrypted; use https"
	}
	return ""
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
