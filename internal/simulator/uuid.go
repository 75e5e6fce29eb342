package simulator

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"regexp"
	"time"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// uuidV7Source makes version 7 UUIDs, as the real API's server UUIDs are. Within one
// millisecond a 12-bit counter (RFC 9562, method 1) keeps them increasing, so servers created
// at the same simulated instant still list in creation order. Callers serialize access.
type uuidV7Source struct {
	lastMS int64
	seq    uint16
}

func (g *uuidV7Source) next(t time.Time) string {
	ms := max(t.UnixMilli(), g.lastMS)
	if ms == g.lastMS {
		g.seq++
		if g.seq > 0x0fff {
			ms++
			g.seq = 0
		}
	} else {
		g.seq = 0
	}
	g.lastMS = ms

	var b [16]byte
	_, _ = rand.Read(b[:])
	var stamp [8]byte
	binary.BigEndian.PutUint64(stamp[:], uint64(ms))
	copy(b[0:6], stamp[2:8])
	b[6] = 0x70 | byte(g.seq>>8)
	b[7] = byte(g.seq)
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

// newUUIDv4 matches the random UUIDs the real API gives SSH keys.
func newUUIDv4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
