"""bookings: rooms, vehicles and drivers, and what is booked on them.

Owns the bookings table, where a slot grid makes DynamoDB refuse a double booking
(reservations, storage, models), meeting applications with their approval in MeetingFlow
(meetings), iCalendar invitations (invitations) and vehicle dispatch (用车, 派车: dispatch). May
import workflow, identity and platform; never outgoing, publishing or records.
"""
