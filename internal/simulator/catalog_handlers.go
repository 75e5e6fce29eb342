package simulator

import "strconv"

func (s *Simulator) listLocations(*call) response {
	return list(s.catalog.locations)
}

func (s *Simulator) listInstanceTypes(c *call) response {
	id, err := strconv.Atoi(c.params["locationId"])
	if err != nil {
		return errorResponse(notFound("Location"))
	}
	if _, ok := s.catalog.locationByID[id]; !ok {
		return errorResponse(notFound("Location"))
	}
	return list(s.catalog.instanceTypes[id])
}

func (s *Simulator) listOperatingSystems(*call) response {
	return list(s.catalog.oses)
}
