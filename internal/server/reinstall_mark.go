package server

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// reinstallMarkHashLength is the number of hex digits of the installation's hash in a reinstall
// tag: tags are at most 64 characters, and 64 bits tell one configuration's installations apart.
const reinstallMarkHashLength = 16

// A reinstall tag ends with what it was sent after: "c" and the previous reinstall command, or
// "n" and the server's own UUID when it had none, so that no two servers ever carry the same
// tag. Either id is compact (no dashes) and cut to reinstallMarkIDLength hex digits, to keep the
// tag within the API's 64 characters.
const (
	afterCommand          = "c"
	afterNoCommand        = "n"
	reinstallMarkIDLength = 31
)

// reinstallMark is the tag server id carries while installation install, sent after the
// reinstall command since ("" for none), runs: "tf-reinstall:", 16 hex digits, ":", then "c" or
// "n" and 31 hex digits, 62 characters in all.
func reinstallMark(id string, install flexmetal.ReinstallServerRequest, since string) string {
	kind, ref := afterCommand, since
	if since == "" {
		kind, ref = afterNoCommand, id
	}
	ref = compactCommand(ref)
	if len(ref) > reinstallMarkIDLength {
		ref = ref[:reinstallMarkIDLength]
	}
	return shared.ReinstallTagPrefix + installHash(install)[:reinstallMarkHashLength] + ":" + kind + ref
}

// compactCommand is a UUID without its dashes, as a tag holds it.
func compactCommand(uuid string) string { return strings.ReplaceAll(uuid, "-", "") }

// sameCommand reports whether two command ids are the same command; either may be the cut,
// compact form a reinstall tag holds, and "" (no command) is only the same as "".
func sameCommand(a, b string) bool {
	a, b = compactCommand(a), compactCommand(b)
	if a == "" || b == "" {
		return a == b
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// pendingFromTags returns the reinstall that a reinstall tag among tags records, and the tag; nil
// when there is none. Of several (a tag whose removal failed, then a killed run), the last one
// the API lists wins: the API keeps a server's tags in the order they were added.
func pendingFromTags(tags []string) (*pendingReinstall, string) {
	for i := len(tags) - 1; i >= 0; i-- {
		rest, ok := strings.CutPrefix(tags[i], shared.ReinstallTagPrefix)
		if !ok {
			continue
		}
		hash, after, ok := strings.Cut(rest, ":")
		if !ok || len(hash) != reinstallMarkHashLength || len(after) < 2 {
			continue
		}
		switch after[:1] {
		case afterCommand:
			return &pendingReinstall{Install: hash, Since: after[1:]}, tags[i]
		case afterNoCommand:
			return &pendingReinstall{Install: hash}, tags[i]
		}
	}
	return nil, ""
}

// recordMarkedReinstall copies the reinstall that the server's tags record into the private state
// when the private state records none: a run killed during a reinstall could not record it
// itself. It reports whether it did.
func recordMarkedReinstall(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, srv *flexmetal.Server, diags *diag.Diagnostics) bool {
	if reinstallIncomplete(ctx, private) {
		return false
	}
	pending, tag := pendingFromTags(srv.Tags)
	if pending == nil {
		return false
	}
	tflog.Warn(ctx, "The FlexMetal server carries the tag of a reinstall that an earlier run sent and never recorded; the next apply records it if it finished and waits for it if it is still running, without sending it again", map[string]any{"id": srv.UUID, "tag": tag})
	record, _ := json.Marshal(pending)
	diags.Append(private.SetKey(ctx, privateReinstallKey, record)...)
	return true
}

// markedReinstall reads the server for a reinstall tag of install: the reinstall a killed run
// sent, when no refresh put it in the private state. It returns nil when there is none or the
// server cannot be read (the reinstall then goes ahead as without a tag), and the tag to remove.
func (r *serverResource) markedReinstall(ctx context.Context, id string, install flexmetal.ReinstallServerRequest) (*pendingReinstall, string) {
	srv, err := r.data.Client.Servers.Get(ctx, id)
	if err != nil {
		tflog.Warn(ctx, "Could not read the FlexMetal server to look for the tag of an earlier reinstall", map[string]any{"id": id, "error": err.Error()})
		return nil, ""
	}
	pending, tag := pendingFromTags(srv.Tags)
	if pending == nil || !pending.names(install) {
		return nil, tag
	}
	return pending, tag
}
