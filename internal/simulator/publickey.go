package simulator

import (
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// publicKeyTypes are the OpenSSH key types the simulator accepts.
var publicKeyTypes = map[string]bool{
	"ssh-rsa":                            true,
	"ssh-ed25519":                        true,
	"ecdsa-sha2-nistp256":                true,
	"ecdsa-sha2-nistp384":                true,
	"ecdsa-sha2-nistp521":                true,
	"sk-ssh-ed25519@openssh.com":         true,
	"sk-ecdsa-sha2-nistp256@openssh.com": true,
}

// Example public keys that pass validation, for tests and demos. Their private halves were
// discarded.
const (
	ExamplePublicKeyEd25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOAUpK7ntF+clmASHabrz5pRbGPj0oDqDK6WJsIeHddS sim-example-ed25519"
	ExamplePublicKeyECDSA   = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEl7+EO6G2HAfd05Qyy4zRx9Ijd3HlMHd5IRTHxWMFFnfqkEQsVzwdUlpyQNeLkPkFJtXjw+NhiKmcuewPbaSKY= sim-example-ecdsa"
	ExamplePublicKeyRSA     = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDoHcIjAiPph543Go+p9AzLYj17sQMG7yZGZ3zflr6kRR+rQeUFETZHC+f1mwtHJ0wULlAQzdiTyWHpVuksC077kd6w7c1xX8EufuZNHfHsCb0D6uqp5C0S2A/uyK6tnBIMa/w9OH2KM9iLNHhbBeC90BPWFC9vmtise9Hc2ZK4F4eCOYAKjJHyPCMS/o1mYCyqLaCWSvLv3Gob05ZMIhWhW3OauCpdLhQam5BrxDdczuyNUZYPwvsrE9DlkdrJYCFI6sfQ82HXorXPvQFnX4b/iEVmylwDFEFdxMqDj1t+JUeV1lwb8Sv0G45GyMJ5rbm4zU6GxAP+0v97r2hCt1+fQKSuiOoRjXLJ33954w8L68Yf1qVlVcXQgKMLWKiYnNNSMprItYHIWelI16RVmGlFSikN/OrhcxCbTJPGWJo2NzhvhlCOQJECFSZ2zgIILzukWzJS8733sJxYoqLTjl87nrJHwW6zgZRwrGsMbOYM/2ZJDl2fXnhaqnKGsY9hL88= sim-example-rsa"
)

// ValidPublicKey reports whether s is one OpenSSH public key line ("type base64 [comment]")
// whose base64 blob names the same key type. Checking the blob catches the common mistake of
// pasting a truncated or hand-edited key, which a prefix check would let through. Private keys
// are refused outright so a test cannot pass while leaking one.
func ValidPublicKey(s string) bool {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "PRIVATE KEY") || strings.ContainsAny(s, "\r\n") {
		return false
	}
	fields := strings.Fields(s)
	if len(fields) < 2 || !publicKeyTypes[fields[0]] {
		return false
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil || len(blob) < 4 {
		return false
	}
	n := binary.BigEndian.Uint32(blob[:4])
	if uint64(n) > uint64(len(blob)-4) {
		return false
	}
	return string(blob[4:4+n]) == fields[0]
}
