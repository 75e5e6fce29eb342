package simulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"time"
)

// Tag is the wire form of an account tag (GET /v3/flexMetal/tags).
type Tag struct {
	Tag       string       `json:"tag"`
	Resources TagResources `json:"resources"`
}

// TagResources counts the resources that carry a tag, in total and per resource type.
type TagResources struct {
	Count            int              `json:"count"`
	FlexMetalServers TagResourceUsage `json:"flexMetalServers"`
}

// TagResourceUsage counts the resources of one type that carry a tag.
type TagResourceUsage struct {
	Count int `json:"count"`
}

// TagRequest is the body of POST /v3/flexMetal/tags and PUT /v3/flexMetal/tags/{tag}: the Tag
// object, whose read-only resources are accepted and ignored.
type TagRequest struct {
	Tag       string          `json:"tag"`
	Resources json.RawMessage `json:"resources,omitempty"`
}

// registerTags adds tags to the account's list. Every way a server gets a tag registers it, so
// the list always holds every tag a server carries; removing a tag from a server keeps it in
// the list. Caller holds s.mu.
func (s *Simulator) registerTags(tags []string) {
	for _, t := range tags {
		s.accountTags[t] = struct{}{}
	}
}

// tagWire counts the servers carrying a tag that the account still has: released ones and
// those past retention do not count. Caller holds s.mu.
func (s *Simulator) tagWire(tag string, now time.Time) Tag {
	n := 0
	for _, sv := range s.servers {
		if slices.Contains(sv.tags, tag) && s.visible(sv, now) && s.stateAt(sv, now).status != StatusReleased {
			n++
		}
	}
	return Tag{Tag: tag, Resources: TagResources{Count: n, FlexMetalServers: TagResourceUsage{Count: n}}}
}

// sortedTags lists the account's tags by name. Caller holds s.mu.
func (s *Simulator) sortedTags(now time.Time) []Tag {
	var out []Tag
	for _, t := range slices.Sorted(maps.Keys(s.accountTags)) {
		out = append(out, s.tagWire(t, now))
	}
	return out
}

func (s *Simulator) lookupTag(tag string) error {
	if _, ok := s.accountTags[tag]; !ok {
		return notFound("Tag")
	}
	return nil
}

// decodeTag reads a tag body and checks the name the way a server's tags are checked.
func decodeTag(body []byte) (string, error) {
	var req TagRequest
	if err := decodeJSON(body, &req, true); err != nil {
		return "", err
	}
	if !tagPattern.MatchString(req.Tag) {
		return "", validationError("tag", "tag %q must match %s", req.Tag, tagPattern)
	}
	return req.Tag, nil
}

func tagExists(tag string) *APIError {
	return &APIError{Status: http.StatusConflict, Code: ErrCodeConflict, Message: "Tag already exists",
		Details: []ErrorDetail{{Property: "tag", Message: "tag " + tag + " already exists"}}}
}

// createTag adds a tag to the account without putting it on a server. Caller holds s.mu.
func (s *Simulator) createTag(tag string) error {
	if !tagPattern.MatchString(tag) {
		return validationError("tag", "tag %q must match %s", tag, tagPattern)
	}
	if s.lookupTag(tag) == nil {
		return tagExists(tag)
	}
	s.registerTags([]string{tag})
	return nil
}

func (s *Simulator) listTags(c *call) response {
	p, err := s.requestedPage(c)
	if err != nil {
		return errorResponse(err)
	}
	return list(paginate(s.sortedTags(c.now), p))
}

func (s *Simulator) postTag(c *call) response {
	tag, err := decodeTag(c.body)
	if err == nil {
		err = s.createTag(tag)
	}
	if err != nil {
		return errorResponse(err)
	}
	return one(s.tagWire(tag, c.now))
}

func (s *Simulator) getTag(c *call) response {
	if err := s.lookupTag(c.params["tag"]); err != nil {
		return errorResponse(err)
	}
	return one(s.tagWire(c.params["tag"], c.now))
}

// renameTag renames the tag on every server carrying it, keeping its place among the server's
// tags. Renaming a tag to its own name changes nothing.
func (s *Simulator) renameTag(c *call) response {
	old := c.params["tag"]
	if err := s.lookupTag(old); err != nil {
		return errorResponse(err)
	}
	tag, err := decodeTag(c.body)
	if err != nil {
		return errorResponse(err)
	}
	if tag != old {
		if s.lookupTag(tag) == nil {
			return errorResponse(tagExists(tag))
		}
		for _, sv := range s.servers {
			if i := slices.Index(sv.tags, old); i >= 0 {
				sv.tags[i] = tag
			}
		}
		delete(s.accountTags, old)
		s.registerTags([]string{tag})
	}
	return one(s.tagWire(tag, c.now))
}

// deleteTag removes the tag from the account and from every server carrying it, since a
// server cannot carry a tag the account does not have.
func (s *Simulator) deleteTag(c *call) response {
	tag := c.params["tag"]
	if err := s.lookupTag(tag); err != nil {
		return errorResponse(err)
	}
	for _, sv := range s.servers {
		if i := slices.Index(sv.tags, tag); i >= 0 {
			sv.tags = slices.Delete(sv.tags, i, i+1)
		}
	}
	delete(s.accountTags, tag)
	return noContent()
}
