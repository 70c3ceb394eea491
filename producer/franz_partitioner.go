package producer

import (
	"math/rand/v2"

	"github.com/twmb/franz-go/pkg/kgo"
)

// franzPartitioner partitions as the sarama backend does, so that switching
// clients never moves a key to another partition: a record with
// ExplicitPartition goes to its partition, a keyed one where sarama's hash
// partitioner puts it (saramaHash), and a record without a key sticks to a
// random partition until kgo starts a new batch (sarama picks one at random
// per record; either spreads them).
type franzPartitioner struct{}

func (franzPartitioner) ForTopic(string) kgo.TopicPartitioner {
	return &franzTopicPartitioner{on: -1, last: -1}
}

// franzTopicPartitioner is one topic's; kgo uses it for one record at a time.
type franzTopicPartitioner struct {
	on, last int // the sticky choice for keyless records, and the one before
}

var _ kgo.TopicPartitionerOnNewBatch = (*franzTopicPartitioner)(nil)

// RequiresConsistency makes kgo choose among all partitions, by id, for
// explicit and keyed records (whether or not a partition is writable now),
// and among the writable ones for the others, as sarama's
// DynamicConsistencyPartitioner does.
func (*franzTopicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	return r.Partition != notExplicit || r.Key != nil
}

func (p *franzTopicPartitioner) Partition(r *kgo.Record, n int) int {
	switch {
	case r.Partition != notExplicit:
		return int(r.Partition) // out of range: kgo fails the record
	case r.Key != nil:
		return int(saramaHash(r.Key, int32(n)))
	}
	if p.on < 0 || p.on >= n {
		p.on = rand.IntN(n)
		if p.on == p.last && n > 1 {
			p.on = (p.on + 1) % n
		}
	}
	return p.on
}

// OnNewBatch moves keyless records to another partition.
func (p *franzTopicPartitioner) OnNewBatch() { p.last, p.on = p.on, -1 }

// saramaHash is sarama's hash partitioner (sarama.NewHashPartitioner) for a
// non-nil key among n partitions: FNV-1a 32-bit of the key, taken as an
// int32 modulo n, and a negative result negated (not masked, as Kafka's
// Java client does, nor unsigned, as librdkafka: sarama's own historical
// choice). kgo.SaramaCompatHasher computes the same.
func saramaHash(key []byte, n int32) int32 {
	h := uint32(2166136261) // FNV-1a 32-bit offset basis
	for _, c := range key {
		h ^= uint32(c)
		h *= 16777619 // FNV prime
	}
	p := int32(h) % n
	if p < 0 {
		p = -p
	}
	return p
}
