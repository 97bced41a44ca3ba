-- Takes KEYS[1] for the new in-progress record ARGV[1], with a lease of ARGV[2] ms, kept ARGV[3] ms; or returns
-- the record that holds it. A record (see RecordCodec) keeps its lease end, epoch ms big-endian, in bytes 99-106;
-- it is written here from the server's clock, so that instances with skewed clocks agree on when a lease lapsed.
-- An in-progress record whose lease lapsed stays until its retention ends, and claiming it is a takeover.
-- Replies: nil when the key was free, 'T' (never a record: records start with the version '1') when it was taken
-- over, else the record as found.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local current = redis.call('GET', KEYS[1])
local reply = false
if current then
  if string.sub(current, 2, 2) ~= 'P' then
    return current
  end
  local high, low = struct.unpack('>I4I4', current, 99)
  if high * 4294967296 + low > now then
    return current
  end
  reply = 'T'
end
local leaseEnd = now + tonumber(ARGV[2])
local record = string.sub(ARGV[1], 1, 98)
  .. struct.pack('>I4I4', math.floor(leaseEnd / 4294967296), leaseEnd % 4294967296)
  .. string.sub(ARGV[1], 107)
redis.call('SET', KEYS[1], record, 'PX', ARGV[3])
return reply
