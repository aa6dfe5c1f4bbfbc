package rare

import "math/bits"

// FNV-1a 64-bit constants.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// HashString returns the key under which the model stores s: 64-bit FNV-1a
// started from a basis mixed with Config.Seed, then finalised with the
// SplitMix64 mixer so that every bit of the key is usable for table indices.
// The hash is fixed across processes and versions of Go (no hash/maphash),
// so snapshots restore; the seed keeps an attacker who does not know it from
// precomputing colliding values. Callers that hold field bytes can use
// HashBytes to avoid converting them to strings.
func (m *Model) HashString(s string) uint64 {
	h := m.basis
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return finish(h, uint64(len(s)))
}

// HashBytes is HashString for a byte slice; HashBytes(b) == HashString(string(b)).
func (m *Model) HashBytes(b []byte) uint64 {
	h := m.basis
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return finish(h, uint64(len(b)))
}

func finish(h, n uint64) uint64 { return mix64(h ^ bits.RotateLeft64(n, 32)) }

// mix64 is the SplitMix64 finaliser.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// pairKey combines an entity and a value key into the key of the pair.
func pairKey(e, v uint64) uint64 { return mix64(e ^ bits.RotateLeft64(v, 29) ^ 0x5851f42d4c957f2d) }
