"""`/admin/keys`: a municipality's administrator manages its systems' API keys in the browser
(the same as `loket keys`): list, create (the key is shown once), revoke."""
