package example.shop;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A small application on the starters, as a user of the test kit writes one. */
@SpringBootApplication
public class ShopApplication {

}
