// Command livefixture checks, through the FlexMetal API's public interface only, what the live
// tests and `make sweep` leave behind. scripts/live-against-simulator.sh runs it against the
// simulator; it never imports internal/live, so the sweeper is checked by code it does not share.
//
// Usage (FLEXMETAL_BASE_URL and FLEXMETAL_API_KEY name the API):
//
//	livefixture seed -state FILE   create servers, SSH keys and tags named tf-acc-* and others
//	                               (a server named tf-acc-* already released, a name that only
//	                               contains tf-acc-), wait for the servers, record them in FILE
//	livefixture check -state FILE  after `make sweep`: the tf-acc-* ones are released or deleted,
//	                               the others untouched
//	livefixture leftovers          nothing named tf-acc-* exists but released servers (after the
//	                               live tests, which must destroy what they made)
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// prefix is what the sweepers select by, spelled out here rather than imported from
// internal/live: the check must not share the code it checks.
const prefix = "tf-acc-"

// item is one server, SSH key or tag of the fixture. ID is the UUID of a server or key, the
// name of a tag; Tags are a server's tags when seeded.
type item struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
}

// set is the servers, keys and tags of one side of the fixture.
type set struct {
	Servers []item `json:"servers"`
	SSHKeys []item `json:"sshKeys"`
	Tags    []item `json:"tags"`
}

// fixture is what seed creates: what the sweep must remove, what it must leave alone, and a
// server named tf-acc-* that is released before the sweep (which must not release it again:
// the script checks the simulator's request log for that).
type fixture struct {
	Swept           set  `json:"swept"`
	Kept            set  `json:"kept"`
	AlreadyReleased item `json:"alreadyReleased"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: livefixture seed|check -state FILE, or livefixture leftovers")
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet("livefixture "+cmd, flag.ExitOnError)
	state := fs.String("state", "", "`file` recording the fixture (seed writes it, check reads it)")
	location := fs.String("location", "EU: Rotterdam", "location of the fixture's servers")
	instanceType := fs.String("instance-type", "bm7.std.8", "instance type of the fixture's servers")
	osSlug := fs.String("os", "ubuntu-2404-lts", "operating system of the fixture's servers")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long the command may take")
	_ = fs.Parse(os.Args[2:])

	client, err := flexmetal.NewClient(
		flexmetal.WithBaseURL(os.Getenv("FLEXMETAL_BASE_URL")),
		flexmetal.WithAPIKey(os.Getenv("FLEXMETAL_API_KEY")),
		flexmetal.WithMinPollInterval(50*time.Millisecond),
	)
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	switch cmd {
	case "seed":
		err = seed(ctx, client, *state, flexmetal.CreateServerRequest{Location: *location, InstanceType: *instanceType, OS: flexmetal.OSRequest{Slug: *osSlug}})
	case "check":
		err = check(ctx, client, *state)
	case "leftovers":
		err = leftovers(ctx, client)
	default:
		err = fmt.Errorf("unknown command %q: want seed, check or leftovers", cmd)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "livefixture:", err)
	os.Exit(1)
}

// seed creates the fixture and records it in path.
func seed(ctx context.Context, c *flexmetal.Client, path string, order flexmetal.CreateServerRequest) error {
	if path == "" {
		return errors.New("seed needs -state FILE")
	}
	suffix := randomHex()
	publicKey, err := newPublicKey()
	if err != nil {
		return err
	}
	var f fixture
	swept := prefix + "fixture-" + suffix
	keptPlain := "keep-" + suffix
	// Contains the prefix, but does not start with it: a sweep matching anywhere would take it.
	keptInner := "keep-" + prefix + suffix

	for _, t := range []struct {
		name string
		into *[]item
	}{{swept + "-tag", &f.Swept.Tags}, {keptPlain + "-tag", &f.Kept.Tags}, {keptInner + "-tag", &f.Kept.Tags}} {
		if _, err := c.Tags.Create(ctx, t.name); err != nil {
			return fmt.Errorf("creating tag %s: %w", t.name, err)
		}
		*t.into = append(*t.into, item{ID: t.name, Name: t.name})
	}
	for _, k := range []struct {
		name string
		into *[]item
	}{{swept + "-key", &f.Swept.SSHKeys}, {keptPlain + "-key", &f.Kept.SSHKeys}, {keptInner + "-key", &f.Kept.SSHKeys}} {
		key, err := c.SSHKeys.Create(ctx, k.name, publicKey)
		if err != nil {
			return fmt.Errorf("storing SSH key %s: %w", k.name, err)
		}
		*k.into = append(*k.into, item{ID: key.UUID, Name: k.name})
	}
	servers := []struct {
		name string
		tags []string
		into *[]item
	}{
		{swept + "-srv", nil, &f.Swept.Servers},
		{swept + "-released", nil, nil},
		{keptPlain + "-srv", []string{keptPlain + "-tag"}, &f.Kept.Servers},
		{keptInner + "-srv", []string{keptInner + "-tag"}, &f.Kept.Servers},
	}
	for _, s := range servers {
		req := order
		req.Name, req.Tags, req.SSHKeys = s.name, s.tags, []string{publicKey}
		srv, err := c.Servers.Create(ctx, req)
		if err != nil {
			return fmt.Errorf("ordering server %s: %w", s.name, err)
		}
		if _, err := c.Servers.WaitForDelivery(ctx, srv.UUID, nil); err != nil {
			return err
		}
		it := item{ID: srv.UUID, Name: s.name, Tags: s.tags}
		if s.into == nil {
			if _, err := c.Servers.Release(ctx, srv.UUID); err != nil {
				return fmt.Errorf("releasing server %s: %w", s.name, err)
			}
			if _, err := c.Servers.WaitForRelease(ctx, srv.UUID, nil); err != nil {
				return err
			}
			f.AlreadyReleased = it
			continue
		}
		*s.into = append(*s.into, it)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	fmt.Printf("livefixture: seeded %d servers (one already released), %d SSH keys and %d tags named %s*, and %d servers, %d SSH keys and %d tags named otherwise\n",
		len(f.Swept.Servers)+1, len(f.Swept.SSHKeys), len(f.Swept.Tags), prefix, len(f.Kept.Servers), len(f.Kept.SSHKeys), len(f.Kept.Tags))
	return nil
}

// check verifies the sweep's effect on the fixture in path.
func check(ctx context.Context, c *flexmetal.Client, path string) error {
	if path == "" {
		return errors.New("check needs -state FILE")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f fixture
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var errs []error
	for _, s := range append(f.Swept.Servers, f.AlreadyReleased) {
		srv, err := c.Servers.Get(ctx, s.ID)
		switch {
		case flexmetal.IsNotFound(err):
			// Past the API's retention of released servers: gone is released.
		case err != nil:
			errs = append(errs, err)
		case srv.Status != flexmetal.StatusReleased:
			errs = append(errs, fmt.Errorf("server %s (%s) is %q after the sweep, want released", s.ID, s.Name, srv.Status))
		}
	}
	for _, k := range f.Swept.SSHKeys {
		if _, err := c.SSHKeys.Get(ctx, k.ID); !flexmetal.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("SSH key %s (%s) survived the sweep (get: %v)", k.ID, k.Name, err))
		}
	}
	for _, t := range f.Swept.Tags {
		if _, err := c.Tags.Get(ctx, t.ID); !flexmetal.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("tag %s survived the sweep (get: %v)", t.Name, err))
		}
	}
	for _, s := range f.Kept.Servers {
		srv, err := c.Servers.Get(ctx, s.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("server %s (%s), which the sweep must leave alone: %w", s.ID, s.Name, err))
			continue
		}
		if srv.Status != flexmetal.StatusDelivered || !slices.Equal(srv.Tags, s.Tags) {
			errs = append(errs, fmt.Errorf("server %s (%s) is %q with tags %q after the sweep, want it untouched: delivered with %q", s.ID, s.Name, srv.Status, srv.Tags, s.Tags))
		}
	}
	for _, k := range f.Kept.SSHKeys {
		if _, err := c.SSHKeys.Get(ctx, k.ID); err != nil {
			errs = append(errs, fmt.Errorf("SSH key %s (%s), which the sweep must leave alone: %w", k.ID, k.Name, err))
		}
	}
	for _, t := range f.Kept.Tags {
		if _, err := c.Tags.Get(ctx, t.ID); err != nil {
			errs = append(errs, fmt.Errorf("tag %s, which the sweep must leave alone: %w", t.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Printf("livefixture: the sweep released %d server, deleted %d SSH key and %d tag named %s*, and left %d servers, %d SSH keys and %d tags named otherwise untouched\n",
		len(f.Swept.Servers), len(f.Swept.SSHKeys), len(f.Swept.Tags), prefix, len(f.Kept.Servers), len(f.Kept.SSHKeys), len(f.Kept.Tags))
	return nil
}

// leftovers fails when anything named with the prefix exists but released servers.
func leftovers(ctx context.Context, c *flexmetal.Client) error {
	var errs []error
	servers, err := c.Servers.List(ctx, flexmetal.ListServersOptions{})
	if err != nil {
		return err
	}
	released := 0
	for _, s := range servers {
		switch {
		case !strings.HasPrefix(s.Name, prefix):
		case s.Status == flexmetal.StatusReleased:
			released++
		default:
			errs = append(errs, fmt.Errorf("server %s (%s) is %q", s.UUID, s.Name, s.Status))
		}
	}
	keys, err := c.SSHKeys.List(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if strings.HasPrefix(k.Name, prefix) {
			errs = append(errs, fmt.Errorf("SSH key %s (%s) exists", k.UUID, k.Name))
		}
	}
	tags, err := c.Tags.List(ctx)
	if err != nil {
		return err
	}
	for _, t := range tags {
		if strings.HasPrefix(t.Name, prefix) {
			errs = append(errs, fmt.Errorf("tag %s exists", t.Name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("left behind by the live tests:\n%w", err)
	}
	fmt.Printf("livefixture: nothing named %s* left but %d released servers\n", prefix, released)
	return nil
}

func randomHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newPublicKey returns a fresh ed25519 public key whose private key is thrown away.
func newPublicKey() (string, error) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))) + " livefixture", nil
}
