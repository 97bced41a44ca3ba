-- Moves the lease end of KEYS[1] to ARGV[2] ms from now if it is still in progress and held by owner ARGV[1],
-- whether or not the lease had lapsed. Bytes 1-34 of a record are version, state and owner, bytes 99-106 the
-- lease end in epoch ms big-endian (see RecordCodec), taken from the server's clock as in claim.lua. The record's
-- time to live (its retention) stays, unless the new lease would outlast it.
local head = redis.call('GETRANGE', KEYS[1], 0, 33)
if string.sub(head, 2, 2) == 'P' and string.sub(head, 3, 34) == ARGV[1] then
  local time = redis.call('TIME')
  local lease = tonumber(ARGV[2])
  local leaseEnd = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + lease
  redis.call('SETRANGE', KEYS[1], 98, struct.pack('>I4I4', math.floor(leaseEnd / 4294967296), leaseEnd % 4294967296))
  if redis.call('PTTL', KEYS[1]) < lease then
    redis.call('PEXPIRE', KEYS[1], lease)
  end
  return 1
end
return 0
