-- Deletes the in-progress record KEYS[1] if owner ARGV[1] still holds it (whether or not its lease had lapsed), so
-- the key can be used again.
local head = redis.call('GETRANGE', KEYS[1], 0, 33)
if string.sub(head, 2, 2) == 'P' and string.sub(head, 3, 34) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
