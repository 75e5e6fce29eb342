package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// Every order carries a creation tag, "tf-create:" then 16 hex digits that name the order (a
// hash of everything it asks for: name, location, instance type, operating system, keys,
// post-install script, contract, overflow and tags) and 8 random ones. The tag stays on the server
// until its create returns, and is removed then. A run killed before that (SIGKILL, an
// out-of-memory kill, a lost CI runner) leaves a server that no state records but whose tag still
// names its order: the next create of the same order adopts it instead of ordering again.
//
// What remains: a kill in the moment between the tag's removal and Terraform persisting the state
// (immediate with the local backend; up to 20 seconds with remote backends) loses the record of a
// delivered server, which then has no tag left to find it by; and when the tag's removal fails
// (the API unreachable at that moment), the server keeps it although recorded, so a new resource
// instance with an identical order (the same name) could adopt it. Names that include count.index
// or each.key avoid the latter.

// orderMarkLength is the number of hex digits of the order's hash in its creation tag.
const orderMarkLength = 16

// orderMark is the prefix of every creation tag of this order.
func orderMark(order flexmetal.CreateServerRequest) string {
	order.CreationTag = ""
	body, err := json.Marshal(order)
	if err != nil {
		// A CreateServerRequest always marshals; a mark nobody shares is the safe fallback.
		body = []byte(time.Now().String())
	}
	sum := sha256.Sum256(body)
	return shared.CreationTagPrefix + hex.EncodeToString(sum[:])[:orderMarkLength]
}

// newCreationTag is a new creation tag for an order whose mark is mark.
func newCreationTag(mark string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return mark + hex.EncodeToString(b)
}

// adoptUnrecorded looks for a server that an earlier, killed run ordered with the same order and
// never recorded, and claims it: it is the server this create is for. It returns nil, and orders
// go ahead, when there is none or the servers cannot be listed.
func (r *serverResource) adoptUnrecorded(ctx context.Context, order flexmetal.CreateServerRequest, mark string, diags *diag.Diagnostics) (*flexmetal.Server, string) {
	srv, tag, err := r.data.Orders.Claim(ctx, mark)
	switch {
	case err != nil:
		tflog.Warn(ctx, "Could not list the FlexMetal servers to look for an unrecorded order of an earlier run; ordering", map[string]any{"error": err.Error()})
		return nil, ""
	case srv == nil:
		return nil, ""
	}
	why := fmt.Sprintf("Server %s (%s, status %q) was ordered by an earlier run that ended before Terraform could record it: it still carries the creation tag %q, and its order matches this one on everything the provider sends (name, location, instance type, operating system, keys, post-install script, contract, overflow and tags). It is adopted instead of ordering another server.",
		srv.UUID, srv.Name, srv.Status, tag)
	tflog.Warn(ctx, "Adopting a FlexMetal server that an earlier run ordered and never recorded", map[string]any{"id": srv.UUID, "name": order.Name, "status": srv.Status, "tag": tag})
	diags.AddWarning("Server Adopted From an Interrupted Run", why)
	return srv, tag
}

// removeProviderTag removes one of the provider's own tags (a creation or reinstall tag) once
// what it marks is about to be recorded, and reports whether the server no longer carries it. It
// runs after the wait, also when Terraform interrupted it, so it does not use ctx's cancellation.
func removeProviderTag(ctx context.Context, client *flexmetal.Client, id, tag string) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := client.Servers.RemoveTag(ctx, id, tag); err != nil && !flexmetal.IsNotFound(err) {
		tflog.Warn(ctx, "Could not remove the provider's temporary tag; it is hidden from the tags attribute", map[string]any{"id": id, "tag": tag, "error": err.Error()})
		return false
	}
	// The account keeps every tag a server ever carried: without this, each order and reinstall
	// would leave one more in the account's tag list. No other server carries this one (a
	// creation tag has a random part, a reinstall tag names a command or this server), and a
	// failure changes nothing for this server.
	if err := client.Tags.Delete(ctx, tag); err != nil && !flexmetal.IsNotFound(err) {
		tflog.Debug(ctx, "Could not delete the provider's temporary tag from the account", map[string]any{"tag": tag, "error": err.Error()})
	}
	return true
}

// privateCreationTagKey records a creation tag that the create could not remove, so that the
// next update removes it.
const privateCreationTagKey = "creation_tag"

// keepStaleCreationTag records, for the next update, a creation tag the create could not remove
// (the client's retries exhausted), and warns: until it is gone, a new resource instance with an
// identical order could adopt this recorded server.
func keepStaleCreationTag(ctx context.Context, id, tag string, private interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, diags *diag.Diagnostics) {
	diags.Append(private.SetKey(ctx, privateCreationTagKey, []byte(strconv.Quote(tag)))...)
	diags.AddWarning("Creation Tag Not Removed",
		fmt.Sprintf("Server %s is recorded in the state, but its one-time creation tag %q could not be removed (the API did not answer; the provider log has the error). The tag is hidden from tags, and the next apply that updates this server removes it. Until then, a new resource instance with an identical order (the same name, location, instance type, operating system, keys, script and tags) could adopt this server: give instances distinct names (count.index, each.key), or remove the tag in the FlexMetal console.", id, tag))
}

// removeStaleCreationTag removes a creation tag that the create could not remove, if the private
// state records one, and forgets it once it is gone.
func removeStaleCreationTag(ctx context.Context, client *flexmetal.Client, id string, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}, set interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, diags *diag.Diagnostics) {
	raw, d := private.GetKey(ctx, privateCreationTagKey)
	tag, err := strconv.Unquote(string(raw))
	if d.HasError() || len(raw) == 0 || err != nil || tag == "" {
		return
	}
	if removeProviderTag(ctx, client, id, tag) {
		diags.Append(set.SetKey(ctx, privateCreationTagKey, nil)...)
	}
}
