-- Takes KEYS[1] for a new in-progress record (ARGV[1]) living ARGV[2] ms, or returns the record that holds it.
-- An in-progress record lives only as long as its lease, so a crashed owner's record is simply gone.
local current = redis.call('GET', KEYS[1])
if current then
  return current
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
