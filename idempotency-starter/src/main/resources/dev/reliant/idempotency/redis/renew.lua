-- Extends the lease of KEYS[1] to ARGV[2] ms if it is still in progress and held by owner ARGV[1].
-- Bytes 1-34 of a record are version, state and owner (see RecordCodec).
local head = redis.call('GETRANGE', KEYS[1], 0, 33)
if string.sub(head, 2, 2) == 'P' and string.sub(head, 3, 34) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
