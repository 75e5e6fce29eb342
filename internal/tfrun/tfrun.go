// Package tfrun drives a real terraform (or tofu) binary against a provider binary built from
// this repository, for tests and benchmarks that need what terraform-plugin-testing cannot do:
// interrupting terraform, or measuring a whole apply against the simulator.
package tfrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// ProviderAddress is the provider's source address without the registry host.
const ProviderAddress = "flexmetal/flexmetal"

// BuildProvider compiles the provider into dir, which the caller owns and removes (a test's
// t.TempDir(), say), and returns dir: the binary inside is terraform-provider-flexmetal.
func BuildProvider(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-flexmetal"), ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the provider: %v\n%s", err, out)
	}
	return dir, nil
}

// ServeProvider runs a provider server in this process, as terraform-plugin-testing does, and
// returns the TF_REATTACH_PROVIDERS entry that makes terraform use it instead of launching a
// binary, so a caller can choose the provider's client options (the benchmark's baseline does).
// The server stops when ctx ends; stop waits for that.
func ServeProvider(ctx context.Context, host string, server func() tfprotov6.ProviderServer) (env string, stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	configCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	errCh := make(chan error, 1)
	go func() {
		errCh <- tf6server.Serve(host+"/"+ProviderAddress, server,
			tf6server.WithDebug(ctx, configCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithoutLogStderrOverride())
	}()
	stop = func() {
		cancel()
		<-closeCh
	}
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-configCh:
	case err := <-errCh:
		cancel()
		return "", nil, fmt.Errorf("serving the provider: %w", err)
	}
	reattach := map[string]any{
		host + "/" + ProviderAddress: map[string]any{
			"Protocol":        cfg.Protocol,
			"ProtocolVersion": cfg.ProtocolVersion,
			"Pid":             cfg.Pid,
			"Test":            true,
			"Addr":            map[string]string{"Network": cfg.Addr.Network(), "String": cfg.Addr.String()},
		},
	}
	raw, err := json.Marshal(reattach)
	if err != nil {
		stop()
		return "", nil, err
	}
	return "TF_REATTACH_PROVIDERS=" + string(raw), stop, nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("locating the module: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the provider's Go module")
	}
	return filepath.Dir(gomod), nil
}

// Binary returns the terraform-compatible CLI to use: TF_ACC_TERRAFORM_PATH if set, else
// "terraform" from PATH.
func Binary() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p, nil
	}
	return exec.LookPath("terraform")
}

// Version returns the version that binary reports, e.g. "1.14.9" (OpenTofu's too).
func Version(binary string) (string, error) {
	cmd := exec.Command(binary, "version", "-json")
	// An empty CLI configuration: a missing TF_CLI_CONFIG_FILE makes OpenTofu warn on stdout.
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+os.DevNull, "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s version -json: %w", binary, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", fmt.Errorf("decoding %s version -json: %w", binary, err)
	}
	return v.Version, nil
}

// AtLeast reports whether version ("1.14.9", "1.15.0-beta1") is major.minor or later.
func AtLeast(version string, major, minor int) bool {
	parts := strings.SplitN(version, ".", 3)
	gotMajor, _ := strconv.Atoi(parts[0])
	gotMinor := 0
	if len(parts) > 1 {
		gotMinor, _ = strconv.Atoi(parts[1])
	}
	return gotMajor > major || gotMajor == major && gotMinor >= minor
}

// SupportsQuery reports whether binary is a Terraform with terraform query, list resources and
// actions: 1.14 or later. No OpenTofu release has them.
func SupportsQuery(binary string) (bool, string, error) {
	v, err := Version(binary)
	if err != nil {
		return false, "", err
	}
	return !IsOpenTofu(binary) && AtLeast(v, 1, 14), v, nil
}

// IsOpenTofu reports whether the binary is OpenTofu, whose default registry host differs.
func IsOpenTofu(binary string) bool {
	out, err := exec.Command(binary, "version").Output()
	return err == nil && bytes.Contains(out, []byte("OpenTofu"))
}

// RegistryHost is the host that binary resolves the provider's short source address against:
// TF_ACC_PROVIDER_HOST when set (as for terraform-plugin-testing), else the binary's default.
func RegistryHost(binary string) string {
	if h := os.Getenv("TF_ACC_PROVIDER_HOST"); h != "" {
		return h
	}
	if IsOpenTofu(binary) {
		return "registry.opentofu.org"
	}
	return "registry.terraform.io"
}

// Workspace is a directory with a configuration and a CLI config whose dev_overrides point the
// provider's address at a locally built binary, so no `init` and no registry are needed.
type Workspace struct {
	Binary string
	Dir    string
	Env    []string
}

// NewWorkspace prepares dir (created if missing) for running binary with the provider in
// providerDir; extraEnv entries (KEY=VALUE) are added to every run.
func NewWorkspace(binary, dir, providerDir string, extraEnv ...string) (*Workspace, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	host := RegistryHost(binary)
	cliConfig := filepath.Join(dir, ".terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", host+"/"+ProviderAddress, providerDir)
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
	)
	return &Workspace{Binary: binary, Dir: dir, Env: append(env, extraEnv...)}, nil
}

// WriteConfig replaces the workspace's main.tf.
func (w *Workspace) WriteConfig(hcl string) error {
	return os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(hcl), 0o644)
}

// Command returns an unstarted command running the CLI in the workspace.
func (w *Workspace) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.Binary, args...)
	cmd.Dir = w.Dir
	cmd.Env = w.Env
	return cmd
}

// Run runs the CLI to completion and returns its combined output.
func (w *Workspace) Run(ctx context.Context, args ...string) (string, error) {
	out, err := w.Command(ctx, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", filepath.Base(w.Binary), strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// StateResource is one resource instance from `show -json`.
type StateResource struct {
	Address string
	Type    string
	Tainted bool
	Values  map[string]any
}

// State lists the resources in the workspace's state.
func (w *Workspace) State(ctx context.Context) ([]StateResource, error) {
	out, err := w.Command(ctx, "show", "-json").Output()
	if err != nil {
		return nil, fmt.Errorf("show -json: %w", err)
	}
	var doc struct {
		Values *struct {
			RootModule struct {
				Resources []struct {
					Address string         `json:"address"`
					Mode    string         `json:"mode"`
					Type    string         `json:"type"`
					Tainted bool           `json:"tainted"`
					Values  map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("decoding show -json: %w", err)
	}
	if doc.Values == nil {
		return nil, nil
	}
	var res []StateResource
	for _, r := range doc.Values.RootModule.Resources {
		if r.Mode == "managed" {
			res = append(res, StateResource{Address: r.Address, Type: r.Type, Tainted: r.Tainted, Values: r.Values})
		}
	}
	return res, nil
}

// ProviderBlock renders the required_providers and provider blocks that point the provider at
// baseURL; an empty apiKey leaves the key to FLEXMETAL_API_KEY.
func ProviderBlock(baseURL, apiKey, pollInterval string) string {
	key := ""
	if apiKey != "" {
		key = fmt.Sprintf("  api_key       = %q\n", apiKey)
	}
	return fmt.Sprintf(`terraform {
  required_providers {
    flexmetal = { source = %q }
  }
}

provider "flexmetal" {
  base_url      = %q
%s  poll_interval = %q
}
`, ProviderAddress, baseURL, key, pollInterval)
}
