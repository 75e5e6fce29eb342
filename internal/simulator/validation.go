package simulator

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// CreateServerRequest is the body of POST /v3/flexMetal/servers.
type CreateServerRequest struct {
	Name              string    `json:"name"`
	Location          string    `json:"location"`
	InstanceType      string    `json:"instanceType"`
	OS                OSRequest `json:"os"`
	SSHKey            []string  `json:"sshKey"`
	PostInstallScript string    `json:"postInstallScript,omitempty"`
	Tags              []string  `json:"tags,omitempty"`
	ContractID        *string   `json:"contractId,omitempty"`
	Overflow          bool      `json:"overflow,omitempty"`
}

// OSRequest is the os object of a create request.
type OSRequest struct {
	Slug          string        `json:"slug"`
	KernelParams  []KernelParam `json:"kernelParams,omitempty"`
	Partitions    []Partition   `json:"partitions,omitempty"`
	IPXEScriptURL string        `json:"ipxeScriptUrl,omitempty"`
}

// KernelParam is one kernel parameter for the PXE stage (Talos needs these).
type KernelParam struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Partition is one custom partition. Size is in MB; -1 takes the rest of the disk.
type Partition struct {
	Target     string `json:"target"`
	Filesystem string `json:"filesystem"`
	Size       int    `json:"size"`
}

func (o OSRequest) clone() OSRequest {
	c := o
	c.KernelParams = slices.Clone(o.KernelParams)
	c.Partitions = slices.Clone(o.Partitions)
	return c
}

// MaxTags is the most tags a server may carry.
const MaxTags = 60

var (
	tagPattern        = regexp.MustCompile(`^[A-Za-z0-9_:-]{1,64}$`)
	contractIDPattern = regexp.MustCompile(`^[A-Z0-9_\-.]{0,240}$`)
	filesystems       = []string{"ext2", "ext3", "ext4", "xfs"}
)

func validationError(property, format string, args ...any) error {
	var v validationErrors
	v.add(property, format, args...)
	return v.err()
}

// validated is what validation resolved while checking, so create need not look it up again.
type validated struct {
	location     Location
	instanceType InstanceType
	tags         []string
}

// validateCreate checks every property and reports all problems at once, one entry per
// property, with paths such as "os.partitions[0].filesystem" and "tags[3]". osGiven says
// whether the request had an os object at all, which the value-typed field cannot tell.
// Caller holds s.mu (stored SSH key uuids are checked).
func (s *Simulator) validateCreate(req CreateServerRequest, osGiven bool) (validated, error) {
	var v validationErrors
	var out validated

	validateName(req.Name, &v)

	loc, locOK := s.catalog.locationByName[req.Location]
	switch {
	case req.Location == "":
		v.add("location", "location is required")
	case !locOK:
		v.add("location", "unknown location %q; use a name from /v3/flexMetal/location", req.Location)
	default:
		out.location = loc
	}

	switch {
	case req.InstanceType == "":
		v.add("instanceType", "instanceType is required")
	case !isHardware(req.InstanceType):
		v.add("instanceType", "unknown instance type %q", req.InstanceType)
	case locOK:
		it, ok := s.catalog.instanceTypeAt(loc.ID, req.InstanceType)
		if !ok {
			v.add("instanceType", "instance type %q is not available at location %q", req.InstanceType, req.Location)
		}
		out.instanceType = it
	}

	s.validateInstall(req.OS, osGiven, req.SSHKey, &v)

	out.tags = validateTags(req.Tags, &v)

	if req.ContractID != nil && !contractIDPattern.MatchString(*req.ContractID) {
		v.add("contractId", "contractId must match %s", contractIDPattern)
	}
	return out, v.err()
}

func validateName(name string, v *validationErrors) {
	if strings.TrimSpace(name) == "" {
		v.add("name", "name is required")
	}
}

// validateInstall checks what an installation needs, shared by create and reinstall so both
// report the same properties: the os object and the SSH keys, which depend on the os.
func (s *Simulator) validateInstall(o OSRequest, osGiven bool, sshKeys []string, v *validationErrors) {
	if osGiven {
		s.validateOS(o, v)
	} else {
		v.add("os", "os is required")
	}
	s.validateSSHKeys(sshKeys, s.keyless(o.Slug), v)
}

// keyless reports whether an operating system installs without SSH keys: Windows (osGroup 1)
// takes a generated root password instead, Talos is managed through its own API, and a custom
// iPXE script installs whatever it installs (i3D.net's own provider tests order custom-ipxe
// without keys and expect it delivered).
func (s *Simulator) keyless(slug string) bool {
	osys, ok := s.catalog.osBySlug[slug]
	return ok && (osys.OSGroup == OSGroupWindows || strings.HasPrefix(slug, "talos") || slug == OSCustomIPXE)
}

func isHardware(name string) bool {
	_, ok := hardware[name]
	return ok
}

func (s *Simulator) validateOS(o OSRequest, v *validationErrors) {
	osys, known := s.catalog.osBySlug[o.Slug]
	switch {
	case o.Slug == "":
		v.add("os.slug", "os.slug is required")
	case !known:
		v.add("os.slug", "unknown operating system %q; use a slug from /v3/operatingsystem", o.Slug)
	case osys.Active != 1:
		v.add("os.slug", "operating system %q is not active", o.Slug)
	case osys.AvailableForFlexMetal != 1:
		v.add("os.slug", "operating system %q is not available for FlexMetal", o.Slug)
	}

	switch {
	case o.Slug == OSCustomIPXE && o.IPXEScriptURL == "":
		v.add("os.ipxeScriptUrl", "ipxeScriptUrl is required with os slug %s", OSCustomIPXE)
	case o.Slug != OSCustomIPXE && o.IPXEScriptURL != "":
		v.add("os.ipxeScriptUrl", "ipxeScriptUrl is only allowed with os slug %s", OSCustomIPXE)
	case o.IPXEScriptURL != "" && !isHTTPURL(o.IPXEScriptURL):
		v.add("os.ipxeScriptUrl", "ipxeScriptUrl must be an absolute http(s) URL")
	}

	for i, kp := range o.KernelParams {
		if strings.TrimSpace(kp.Key) == "" {
			v.add(fmt.Sprintf("os.kernelParams[%d].key", i), "key is required")
		}
	}
	for i, p := range o.Partitions {
		prop := fmt.Sprintf("os.partitions[%d]", i)
		if !strings.HasPrefix(p.Target, "/") {
			v.add(prop+".target", "target must be an absolute mount point starting with /")
		}
		if !slices.Contains(filesystems, p.Filesystem) {
			v.add(prop+".filesystem", "filesystem must be one of %s", strings.Join(filesystems, ", "))
		}
		if p.Size <= 0 && p.Size != -1 {
			v.add(prop+".size", "size must be a positive number of MB, or -1 for the remaining space")
		}
	}
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// validateSSHKeys accepts public keys and the uuids of stored keys; anything UUID-shaped is
// taken as a reference, so a deleted key is reported as missing rather than as a bad key. An
// empty list is only accepted for a keyless operating system; keys sent for one are still
// checked.
func (s *Simulator) validateSSHKeys(keys []string, keyless bool, v *validationErrors) {
	if len(keys) == 0 {
		if !keyless {
			v.add("sshKey", "at least one SSH key is required for this operating system; only Windows, Talos and custom iPXE install without one")
		}
		return
	}
	for i, k := range keys {
		prop := fmt.Sprintf("sshKey[%d]", i)
		switch {
		case uuidPattern.MatchString(k):
			if _, ok := s.keys[strings.ToLower(k)]; !ok {
				v.add(prop, "no stored SSH key with uuid %s", k)
			}
		case strings.Contains(k, "PRIVATE KEY"):
			v.add(prop, "this is a private key; send the public key only")
		case !ValidPublicKey(k):
			v.add(prop, "must be an OpenSSH public key or the uuid of a stored SSH key")
		}
	}
}

// validateTags reports each malformed tag by its index in the request and returns the tags
// with duplicates collapsed, since the limit applies to distinct tags.
func validateTags(tags []string, v *validationErrors) []string {
	for i, t := range tags {
		if !tagPattern.MatchString(t) {
			v.add(fmt.Sprintf("tags[%d]", i), "tag %q must match %s", t, tagPattern)
		}
	}
	out := dedupe(tags)
	if len(out) > MaxTags {
		v.add("tags", "a server has at most %d tags, got %d", MaxTags, len(out))
	}
	return out
}

// dedupe keeps the first occurrence of each tag, in request order.
func dedupe(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
