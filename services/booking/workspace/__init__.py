"""The staff workspace: pages for the people and screens at an assistance point. The counter
screen (`/staff/counter`), the waiting-room display (`/display/{point}`), the ticket kiosk
(`/kiosk/{point}`), the point dashboard and the device links that open a display or a kiosk."""
