package producer

import (
	"math/rand/v2"
	"testing"

	"github.com/IBM/sarama"
)

// saramaHash picks the partition sarama's hash partitioner picks, for
// random keys (half of them hash to a negative int32) and partition counts.
func TestSaramaHash_matchesSarama(t *testing.T) {
	hp := sarama.NewHashPartitioner("t")
	negatives := 0
	for i := range 20000 {
		key := make([]byte, rand.IntN(40))
		for j := range key {
			key[j] = byte(rand.UintN(256))
		}
		n := int32(1 + i%97)
		want, err := hp.Partition(&sarama.ProducerMessage{Key: sarama.ByteEncoder(key)}, n)
		if err != nil {
			t.Fatal(err)
		}
		if got := saramaHash(key, n); got != want {
			t.Fatalf("key %x, %d partitions: saramaHash %d, sarama %d", key, n, got, want)
		}
		if int32(fnv(key)) < 0 {
			negatives++
		}
	}
	if negatives == 0 {
		t.Fatal("no key hashed to a negative int32: the negative branch is untested")
	}
}

func fnv(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}
