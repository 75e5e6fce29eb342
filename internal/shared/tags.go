package shared

import (
	"slices"
	"strings"
)

// CreationTagPrefix marks the one-time tag a create carries so that a server whose create
// answer was lost can be found again. It never appears in the tags attribute.
const CreationTagPrefix = "tf-create:"

// ReinstallTagPrefix marks the tag a server carries while the provider reinstalls it:
// "tf-reinstall:", 16 hex digits that name the installation and the reinstall command before it
// (or the server, when it had none). Terraform records the outcome of a reinstall only when the apply
// returns; a run killed meanwhile leaves the tag, and the next refresh learns from it that this
// installation was sent, so a reinstall that went on without Terraform is waited for and
// recorded, never sent twice. It never appears in the tags attribute either.
const ReinstallTagPrefix = "tf-reinstall:"

// ProviderTag reports whether tag is one of the provider's own marks (a creation or a reinstall
// tag), which no tags attribute or tag list shows.
func ProviderTag(tag string) bool {
	return strings.HasPrefix(tag, CreationTagPrefix) || strings.HasPrefix(tag, ReinstallTagPrefix)
}

// VisibleTags returns tags without the provider's own marks, sorted: what every tags attribute
// and tag list shows of a server's tags.
func VisibleTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if !ProviderTag(t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// HasCreationTag reports whether tags still hold a creation tag: the server was ordered by
// Terraform and is not recorded in a state yet (the provider removes the tag once it records the
// server), or the run that ordered it was killed before it could.
func HasCreationTag(tags []string) bool {
	return slices.ContainsFunc(tags, func(t string) bool { return strings.HasPrefix(t, CreationTagPrefix) })
}

// UnrecordedDescription documents the unrecorded filter of the server lists.
const UnrecordedDescription = "Only list servers that Terraform ordered but never recorded in a state (`true`), or only the others (`false`). They still carry the one-time creation tag (`tf-create:...`, hidden from `tags`) that the provider removes once a server is in the state: an apply killed while its order was in flight leaves them behind. Import them with an import block, or release them in the console; the troubleshooting guide shows how."

// MaxTags is the API's limit of tags per server.
const MaxTags = 60

// TagConventions are the fleet's tag conventions from the provider configuration:
// default_tags, which every server carries besides its own tags, and ignore_tag_prefixes, the
// tags other tools set, which the provider neither reports nor removes.
type TagConventions struct {
	// Default is default_tags, sorted and without duplicates.
	Default []string
	// DefaultUnknown is true while default_tags is only known after apply: plans then leave
	// tags_all unknown.
	DefaultUnknown bool
	// IgnorePrefixes is ignore_tag_prefixes.
	IgnorePrefixes []string
}

// Ignored reports whether tag starts with one of the ignored prefixes.
func (c TagConventions) Ignored(tag string) bool { return c.IgnoredBy(tag) != "" }

// IgnoredBy returns the ignored prefix tag starts with, or "".
func (c TagConventions) IgnoredBy(tag string) string {
	for _, p := range c.IgnorePrefixes {
		if strings.HasPrefix(tag, p) {
			return p
		}
	}
	return ""
}
