package shared

import "strings"

// CreationTagPrefix marks the one-time tag a create carries so that a server whose create
// answer was lost can be found again. It never appears in the tags attribute.
const CreationTagPrefix = "tf-create:"

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
