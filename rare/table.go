package rare

import "unsafe"

// entTable is an open-addressing hash table (linear probing) that holds the
// entity records themselves, so that finding an entity costs one probe into
// memory instead of a map lookup and a second access to the record: at
// 100,000 entities every observation starts with a cache miss, and this
// keeps it to one. Slots of removed records are refilled by backward-shift
// deletion, so there are no tombstones. The layout depends only on the
// order of inserts and removals, so a snapshot that stores slot positions
// restores it exactly (eviction samples slots, so the layout matters).
type entTable struct {
	slots []entity // len 0 or a power of two
	n     int
}

const (
	slotBytes   = int64(unsafe.Sizeof(entity{}))
	minSlots    = 16
	maxLoadNum  = 3 // grow past 3/4 full
	maxLoadDen  = 4
	shrinkBelow = 8 // shrink below 1/8 full
)

func (t *entTable) home(key uint64) int {
	return int(mix64(key^0x6a09e667f3bcc909) & uint64(len(t.slots)-1))
}

// find returns the slot of key, or −1.
func (t *entTable) find(key uint64) int {
	if len(t.slots) == 0 {
		return -1
	}
	mask := len(t.slots) - 1
	for i := t.home(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if !s.used() {
			return -1
		}
		if s.key == key {
			return i
		}
	}
}

// full reports whether one more record needs a larger table.
func (t *entTable) full() bool { return (t.n+1)*maxLoadDen > len(t.slots)*maxLoadNum }

// growBytes is what growing the table would add.
func (t *entTable) growBytes() int64 {
	return int64(max(minSlots, 2*len(t.slots))-len(t.slots)) * slotBytes
}

// insert stores e (absent, with room) and returns its slot.
func (t *entTable) insert(e entity) int {
	mask := len(t.slots) - 1
	i := t.home(e.key)
	for t.slots[i].used() {
		i = (i + 1) & mask
	}
	e.capUsed |= usedBit
	t.slots[i] = e
	t.n++
	return i
}

// resize rehashes into size slots, in the order of the old slots.
func (t *entTable) resize(size int) {
	old := t.slots
	t.slots = make([]entity, size)
	t.n = 0
	for i := range old {
		if old[i].used() {
			t.insert(old[i])
		}
	}
}

// remove empties slot i, shifting back the records of its probe run, and
// shrinks a table that has become mostly empty.
func (t *entTable) remove(i int) {
	mask := len(t.slots) - 1
	j := i
	for {
		j = (j + 1) & mask
		if !t.slots[j].used() {
			break
		}
		h := t.home(t.slots[j].key)
		// Move j back to i unless its home lies cyclically in (i, j].
		if (i < j && (h <= i || h > j)) || (i > j && h <= i && h > j) {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = entity{}
	t.n--
	if len(t.slots) > minSlots && t.n*shrinkBelow < len(t.slots) {
		t.resize(len(t.slots) / 2)
	}
}

// largeSlots is the table size from which the slots are a large allocation
// (over 32 KiB), aligned to a page.
const largeSlots = 512

// The record must stay one cache line (56 bytes and a pointer).
var _ [unsafe.Sizeof(entity{}) - 56 - unsafe.Sizeof(uintptr(0))]byte
var _ [56 + unsafe.Sizeof(uintptr(0)) - unsafe.Sizeof(entity{})]byte
